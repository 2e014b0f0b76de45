package near

type Session struct {
	seen  map[string]bool
	count map[string]int
}

// Restart forgets what was seen, then counts the restart.
func (s *Session) Restart() {
	for k := range s.seen {
		delete(s.seen, k)
	}
	s.count = nil
	s.count["restart"]++
}

// Rotate forgets what was seen and counts the rotation.
func (s *Session) Rotate() {
	for k := range s.seen {
		delete(s.seen, k)
	}
	// The counts start over.
	s.count = nil
	s.count["rotate"]++
}
