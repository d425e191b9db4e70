// Command jobrun runs GitLab CI/CD jobs with a per-job token and a masked log.
package main

import (
	"os"

	"github.com/jobrun/jobrun/internal/cmd/root"
)

func main() { os.Exit(root.Main()) }
