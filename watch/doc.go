// Package watch runs a project's develop.watch rules: it follows the
// files under each rule's path (fsnotify, recursively), folds bursts of
// changes into one batch per service (Debouncer), and carries each batch
// out (Syncer): files copied into the service's containers as one tar
// stream, deletes propagated, containers restarted, a command run, or the
// service rebuilt through a callback the caller gives.
//
// The batch names paths, not what happened to them: a path is looked at
// again when its batch is carried out, so a file written then removed
// within one quiet period is a delete, never a copy of a file that is
// gone.
package watch
