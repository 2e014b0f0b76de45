// Package registry tracks the backends a service can route to.
package registry

import (
	"errors"
	"sync"
)

// ErrClosed is returned after Close.
var ErrClosed = errors.New("registry closed")

// Backend is one upstream address.
type Backend struct {
	Name string
	Addr string
}

// Registry maps backend names to backends. A nil map means closed.
type Registry struct {
	mu       sync.Mutex
	backends map[string]*Backend
	failures map[string]int
}

// New returns an open registry.
func New() *Registry {
	return &Registry{backends: map[string]*Backend{}, failures: map[string]int{}}
}

// Add registers a backend; it fails once the registry is closed.
func (r *Registry) Add(b *Backend) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.backends == nil {
		return ErrClosed
	}
	r.backends[b.Name] = b
	return nil
}

// Replace swaps in a new set of backends.
func (r *Registry) Replace(list []*Backend) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = nil
	for _, b := range list {
		r.failures[b.Name] = 0
	}
}

// Close releases the backends; later Adds fail with ErrClosed.
func (r *Registry) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.backends = nil
}
