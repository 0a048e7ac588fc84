package main

import (
	"context"
	"log/slog"
	"os"
	"time"
)

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// watchParent cancels the server when the process that started it goes away
// (re-parented to init or a subreaper), unless it was started detached.
func watchParent(stop context.CancelFunc) {
	if os.Getenv("RINGWATCH_STORE_DETACHED") == "1" {
		return
	}
	parent := os.Getppid()
	for range time.Tick(500 * time.Millisecond) {
		if os.Getppid() != parent {
			stop()
			return
		}
	}
}
