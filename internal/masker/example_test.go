package masker_test

import (
	"fmt"
	"os"

	"github.com/jobrun/jobrun/internal/masker"
)

// A job's output goes through one masker; the writes may split secrets
// anywhere.
func Example() {
	m := masker.New(os.Stdout, masker.Options{})
	if err := m.AddSecret("DB_PASSWORD", "correct-horse-battery"); err != nil {
		panic(err)
	}
	if warning := m.AddMasked("CI_DEPLOY_KEY", "x7Q4-deploy-key"); warning != "" {
		fmt.Fprintln(os.Stderr, warning) // e.g. a value shorter than 8 bytes
	}
	fmt.Fprint(m, "connect app:correct-hor")
	fmt.Fprint(m, "se-battery@db x7Q4-deploy-key\n")
	fmt.Fprint(m, "push with glpat-AbCdEf123456 to https://oauth2:t0k3n@gitlab.example.com\n")
	m.Close()
	// Output:
	// connect app:[MASKED]@db [MASKED]
	// push with glpat-[MASKED] to https://oauth2:[MASKED]@gitlab.example.com
}
