package lint

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

func TestScratch(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/corpus/runner-config/*.toml")
	for _, p := range files {
		f, err := runnerconfig.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("==", filepath.Base(p))
		for _, x := range Check(f, Options{}) {
			fmt.Printf("  %d:%d %s %s/%s r%d %q %s | %s\n", x.Pos.Line, x.Pos.Col, x.ID(), x.Severity, x.Confidence, x.Runner, x.RunnerName, x.Key, x.Message)
		}
	}
}
