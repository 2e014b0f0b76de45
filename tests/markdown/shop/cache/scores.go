package cache

func ClearScores(scores map[float64]string) {
	for k := range scores {
		delete(scores, k)
	}
}
