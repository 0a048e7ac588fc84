// Command ringwatch-ferretdb embeds FerretDB v1.24.2 (SQLite backend) so that
// ringwatch has a MongoDB-wire-compatible store without installing MongoDB.
// It is embedded rather than `go install`ed because the standalone binary built
// that way panics on a missing version.txt.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dataDir := flag.String("data", "./data/store", "directory for the SQLite databases")
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (host:port)")
	unix := flag.String("unix", "", "Unix socket path to listen on instead of TCP")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	// WAL (FerretDB's default) with synchronous=NORMAL skips the fsync per commit:
	// a crash of ringwatch or of the store loses nothing, a power cut may lose the
	// last commits. Each single-document update is its own transaction in FerretDB,
	// so FULL would cap updates at the disk's fsync rate.
	sqliteParams := flag.String("sqlite-params", "_pragma=synchronous(normal)", "extra SQLite URL query parameters")
	flag.Parse()

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("data dir: %v", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		fail("create data dir %s: %v", abs, err)
	}
	// FerretDB requires the SQLite URL to name a directory ending in "/".
	if !strings.HasSuffix(abs, "/") {
		abs += "/"
	}

	listener := ferretdb.ListenerConfig{}
	if *unix != "" {
		listener.Unix = *unix
	} else {
		listener.TCP = *listen
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  listener,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "?" + *sqliteParams,
		Logger:    newLogger(*logLevel),
	})
	if err != nil {
		fail("configure FerretDB: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if idIndexesEnabled() {
		go watchIDIndexes(ctx, abs, newLogger(*logLevel))
	}

	// Exit when the parent dies so that a killed ringwatch never leaves a store behind.
	go watchParent(stop)

	fmt.Fprintf(os.Stderr, "ringwatch-ferretdb: serving %s on %s%s\n", abs, *listen, *unix)
	f.Run(ctx)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ringwatch-ferretdb: "+format+"\n", args...)
	os.Exit(1)
}
