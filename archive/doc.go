// Package archive builds and unpacks tar streams of local paths for
// copying into and out of containers, and holds the rules `docker cp`
// follows to decide where a copy lands.
//
// A copy into a container is LocalSource (what the user named, resolved),
// Place (where the engine unpacks it and under which name) and Tar (the
// stream the engine reads). A copy out of one is Place again, on the
// engine's stat of the source, and Extract, which unpacks the engine's
// stream below one local directory and nowhere else.
//
// Both directions stream: no file is ever held whole in memory.
package archive
