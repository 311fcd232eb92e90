package notes

// RenderUnguarded renders src without the guard, for tests that compare.
func RenderUnguarded(src string) (Doc, error) { return render(guarded{text: src}, nil) }

// Guard returns the text the parser reads for src.
func Guard(src string) string { return guard(src).text }
