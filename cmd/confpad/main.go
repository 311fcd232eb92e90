// Command confpad serves live shared notes for conference sessions: one
// collaborative pad per session, edited in the browser.
//
// Usage:
//
//	confpad [serve] [flags]     serve the conference (the default command)
//	confpad migrate --from STORE --to STORE
//	                            copy every session and pad between stores
//	confpad backup --out FILE   copy the database, consistently, while it serves
//	confpad check               check the database and replay every pad
//	confpad version             print the version
//	confpad export --out DIR [--data DIR | --redis URL | --from STORE]
//	                            write the conference's notes as a static site
//
// Every serve flag has an environment variable (--addr and CONFPAD_ADDR,
// and so on); a flag beats its variable. Run `confpad -h` or
// `confpad migrate -h` for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
)

// command is a subcommand: it gets the arguments after its name and reads
// its environment through env.
type command func(ctx context.Context, args []string, env func(string) string) error

// defaultCommand runs when the first argument is a flag or there is none.
const defaultCommand = "serve"

// commands are confpad's subcommands by name.
var commands = map[string]command{
	"serve":   serve,
	"migrate": migrate,
	"export":  export,
	"version": printVersion,
	"backup":  backup,
	"check":   check,
}

func main() {
	ctx, stop := withSignals(context.Background(), os.Stderr, os.Exit)
	err := run(ctx, os.Args[1:], os.Getenv)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "confpad:", err)
		os.Exit(1)
	}
}

// run runs the subcommand that args name (serve if they name none) until
// it finishes or ctx is cancelled. It returns nil after a clean shutdown
// and after -h.
func run(ctx context.Context, args []string, env func(string) string) error {
	name := defaultCommand
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		slices.Sort(names)
		return fmt.Errorf("unknown command %q (commands: %s)", name, strings.Join(names, ", "))
	}
	err := cmd(ctx, args, env)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}
