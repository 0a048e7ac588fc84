package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the same SQLite driver FerretDB uses
)

// FerretDB 1.24.2's SQLite backend creates each collection's unique _id index on
// the expression _ferretdb_sjson->"_id" but queries with _ferretdb_sjson->'$._id'.
// SQLite only uses an expression index for the identical expression, so every
// lookup, update and upsert by _id scans the whole table (measured: an updateOne
// by _id went from 4 ms at 1k documents to 13 ms at 5k). This watcher adds the
// index FerretDB's own queries can use, to every collection table, as soon as the
// table appears.
const idExpr = `_ferretdb_sjson->'$._id'`

func watchIDIndexes(ctx context.Context, dir string, log *slog.Logger) {
	done := map[string]bool{}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, f := range files {
			if err := ensureIDIndexes(ctx, f, done); err != nil {
				log.Debug("id index check failed", "file", f, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func ensureIDIndexes(ctx context.Context, file string, done map[string]bool) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		if !done[file+"/"+t] {
			tables = append(tables, t)
		}
	}
	rows.Close()

	for _, t := range tables {
		name := t + "__id_path"
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (%s)`, name, t, idExpr)
		if _, err := db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue
			}
			return err
		}
		done[file+"/"+t] = true
	}
	return nil
}

// idIndexesEnabled lets a benchmark compare with FerretDB's behaviour as shipped.
func idIndexesEnabled() bool {
	return os.Getenv("RINGWATCH_STORE_NO_ID_INDEX") != "1"
}
