// Package engine is berth's only door to the Docker Engine API.
//
// It finds the engine the way the docker CLI does (ResolveEndpoint), connects
// and negotiates the API version (Connect), and exposes the engine through
// the small Engine interface, built from Reader and Writer, in terms of
// neutral values (types.go) so the rest of berth never imports the moby
// client. enginetest.Fake implements the same interface in memory for tests.
//
// Errors say what berth was doing and to which resource, and wrap the
// engine's; IsNotFound and IsConflict classify them, so no caller needs
// the engine's error packages.
package engine
