package cmd

import (
	"io"

	"github.com/sirupsen/logrus"
)

// compose-go reports warnings (an unset variable, an obsolete `version`)
// through logrus. Shown in logrus's default form they read as machine logs
// ("time=... level=warning msg=..."); this prints them as berth's own
// warnings: "warning: ...".
type plainFormatter struct{}

func (plainFormatter) Format(e *logrus.Entry) ([]byte, error) {
	return []byte(e.Level.String() + ": " + e.Message + "\n"), nil
}

// routeLibraryLogs sends library warnings to w in berth's form.
func routeLibraryLogs(w io.Writer) {
	logrus.SetOutput(w)
	logrus.SetFormatter(plainFormatter{})
}
