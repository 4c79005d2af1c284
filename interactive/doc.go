// Package interactive joins the user's terminal, or plain stdin and
// stdout, to a process in a container: the streams of attach, exec and
// run. With a TTY the user's terminal is put in raw mode for the session
// and always restored, its size is given to the container's TTY at the
// start and on every resize, and the detach keys end the session while
// the process keeps running.
package interactive
