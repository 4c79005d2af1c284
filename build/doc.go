// Package build turns a service's build section into the build requests
// the engine runs: the context (a folder, less what its ignore file
// leaves out, or a git URL), the Dockerfile (in the context, outside it,
// or inline), the arguments resolved as docker compose resolves them, and
// every other attribute of the Compose Specification's build section,
// checked here so that a bad one fails before anything is built.
//
// It also reads, from the Dockerfile and additional_contexts, which other
// services' images a build needs first; the planner turns that into the
// order builds run in. The engine's Dockerfile frontend has no named
// contexts, so additional_contexts are given to it the way it can take
// them: a reference to another image is written into the Dockerfile, and a
// folder is first made into an image of its own.
//
// It reads files but never talks to the engine.
package build
