// Package handler serves request statistics.
package handler

import (
	"fmt"
	"net/http"
	"strings"
)

// Stats counts requests per path prefix, per reporting window.
type Stats struct {
	window map[string]int
}

// Observe counts one request.
func (s *Stats) Observe(r *http.Request) {
	prefix := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0]
	s.window[prefix]++
}

// Rotate starts a new window, keeping the current request's prefix.
func (s *Stats) Rotate(current string) {
	s.window = nil
	s.window[current] = 1
}

// ServeHTTP writes the counts of the current window.
func (s *Stats) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, n := range s.window {
		fmt.Fprintf(w, "%s %d\n", k, n)
	}
}
