package server

import (
	"context"
	"io"
	"math"
	"time"

	"podcastgraph/internal/pipeline"
)

// progressEvery is how often serve logs the start-up ingest's progress.
const progressEvery = 5 * time.Second

// startupIngest ingests the seed files, following them in a.startup and
// logging how far it is every few seconds while it runs.
func (a *app) startupIngest(ctx context.Context, files []string) (pipeline.Summary, error) {
	every := progressEvery
	if a.opts.ProgressEvery > 0 {
		every = a.opts.ProgressEvery
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				ps := a.startup.State()
				a.log.Info("start-up ingest progress", "done", ps.Done, "total", ps.Total,
					"percent", math.Floor(ps.Percent()*10)/10, "rate", math.Round(ps.Rate),
					"eta", ps.Left.Round(time.Second))
			}
		}
	}()
	defer func() { close(stop); <-stopped }()
	return a.ing.Files(ctx, files, io.Discard)
}

// startupProgress is how far the start-up ingest is, as /readyz says it:
// documents done of the total, the percent (to a tenth, rounded down, so
// 100 only when done), documents per second and seconds left (estimates,
// 0 while unknown).
func startupProgress(ps pipeline.ProgressState) map[string]any {
	return map[string]any{
		"done":       ps.Done,
		"total":      ps.Total,
		"percent":    math.Floor(ps.Percent()*10) / 10,
		"rate":       math.Round(ps.Rate),
		"etaSeconds": math.Ceil(ps.Left.Seconds()),
	}
}

// perSecond is n per d, rounded, for logs; 0 when d is.
func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return math.Round(float64(n) / d.Seconds())
}
