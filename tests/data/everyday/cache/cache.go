package cache

// Cache holds entries by key.
type Cache struct {
	items map[string]int
	byID  map[float64]string
}

// Reset drops every entry.
func (c *Cache) Reset() {
	for k := range c.items {
		delete(c.items, k)
	}
	for k := range c.byID {
		delete(c.byID, k)
	}
}

// Keep keeps one loop on purpose; the other names a rule that does not exist.
func (c *Cache) Keep() {
	for k := range c.items { //mapfix:ignore range-delete
		delete(c.items, k)
	}
	for k := range c.items { //mapfix:ignore range-delet
		delete(c.items, k)
	}
}
