// Command credhelper is a docker-credential-<name> helper for the e2e
// tests: it speaks the credential-helper protocol (get, store, erase,
// list) over a JSON file beside its own binary, so a test can log in
// through a helper without any keychain.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// entry is one stored login, as the protocol spells it.
type entry struct {
	ServerURL string `json:"ServerURL,omitempty"`
	Username  string `json:"Username"`
	Secret    string `json:"Secret"`
}

// notFound is the protocol's answer for a server it keeps nothing for.
const notFound = "credentials not found in native keychain"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: docker-credential-<name> get|store|erase|list")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stdout, err) // the protocol reads errors from stdout
		os.Exit(1)
	}
}

func run(action string, in io.Reader, out io.Writer) error {
	input, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	store, err := load()
	if err != nil {
		return err
	}
	server := strings.TrimSpace(string(input))
	switch action {
	case "get":
		e, ok := store[server]
		if !ok {
			return errors.New(notFound)
		}
		e.ServerURL = server
		return json.NewEncoder(out).Encode(e)
	case "store":
		var e entry
		if err := json.Unmarshal(input, &e); err != nil {
			return fmt.Errorf("reading the login to store: %w", err)
		}
		store[e.ServerURL] = entry{Username: e.Username, Secret: e.Secret}
		return save(store)
	case "erase":
		delete(store, server)
		return save(store)
	case "list":
		users := map[string]string{}
		for url, e := range store {
			users[url] = e.Username
		}
		return json.NewEncoder(out).Encode(users)
	}
	return fmt.Errorf("unknown action %q", action)
}

// path is the store: beside the binary, so each test's helper has its own.
func path() (string, error) {
	exe, err := os.Executable()
	return exe + ".json", err
}

func load() (map[string]entry, error) {
	p, err := path()
	if err != nil {
		return nil, err
	}
	store := map[string]entry{}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return store, nil
	}
	if err == nil {
		err = json.Unmarshal(data, &store)
	}
	return store, err
}

func save(store map[string]entry) error {
	p, err := path()
	if err != nil {
		return err
	}
	data, err := json.Marshal(store)
	if err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o600)
}
