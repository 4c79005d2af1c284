package progress

// WithoutPulls wraps r so that it shows no pull progress (run
// --quiet-pull): image and layer events reach r only when they report a
// failure, which must show whatever the user asked.
func WithoutPulls(r Renderer) Renderer { return pullFilter{r} }

type pullFilter struct{ Renderer }

func (f pullFilter) Emit(e Event) {
	if (e.Kind == Image || e.Kind == Layer) && e.Status != Error {
		return
	}
	f.Renderer.Emit(e)
}
