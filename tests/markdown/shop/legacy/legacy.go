package legacy

func Drop(seen map[int]bool) {
	for k := range seen {
		delete(seen, k)
	}
}
