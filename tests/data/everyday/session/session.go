package session

// Store keeps sessions by ID.
type Store struct {
	sessions map[string]string
}

// Reset forgets every session, then records one.
func (s *Store) Reset(id string) {
	/* café */ s.sessions = nil
	s.sessions[id] = "ok"
}
