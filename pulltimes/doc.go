// Package pulltimes keeps when berth last pulled each image, per engine,
// for pull_policy daily, weekly and every_<duration>: they pull again only
// once the last pull is older than their interval.
//
// Docker compose reads that time from the engine (an image's LastTagTime),
// but an engine like dockerd 20.10 does not set it on a pull, only on
// docker tag: there, every up would pull again. So berth also keeps its
// own record, in pulls.json under its state folder ($XDG_STATE_HOME/berth,
// else ~/.local/state/berth; %LOCALAPPDATA%\berth on Windows), and a
// policy takes the later of the two times.
package pulltimes
