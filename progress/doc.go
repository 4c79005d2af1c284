// Package progress carries events about the work berth does to renderers
// that show them: a live terminal view, plain lines, JSON, or nothing.
package progress
