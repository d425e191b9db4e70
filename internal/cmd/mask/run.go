package mask

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/masker"
)

// readSize is small so that a slow producer's lines come out as soon as
// they come in: a read returns whatever the pipe holds.
const readSize = 4 << 10

func run(opts *Options) error {
	if opts.MinLength < masker.AbsoluteMinLength {
		return cmdutil.BadInput("--min-length %d: secrets shorter than %d bytes cannot be masked safely", opts.MinLength, masker.AbsoluteMinLength)
	}
	for _, p := range opts.Prefixes {
		if len(p) < 2 {
			return cmdutil.BadInput("--prefix %q: a token prefix needs at least 2 bytes", p)
		}
	}
	secrets, err := collect(opts)
	if err != nil {
		return err
	}
	m := masker.New(opts.IO.Out, masker.Options{MinLength: opts.MinLength, Prefixes: opts.Prefixes})
	for _, s := range secrets {
		if err := m.AddSecret(s.name, s.value); err != nil {
			return cmdutil.AsBadInput(withFileHint(err, s, opts.SecretsFile))
		}
	}
	if opts.SecretsOnCommandLine && len(opts.Secrets) > 0 {
		fmt.Fprintln(opts.IO.ErrOut, "jobrun: warning: --secret puts the secret in the process list, where other users can read it; prefer --secret-env or --secrets-file")
	}
	return copyMasked(opts.Ctx, m, opts.IO.In)
}

type secret struct{ name, value string }

// withFileHint says how to go on when the masker refuses a secret from
// the secrets file: a .env file holds settings (APP_ENV=local) as well
// as secrets.
func withFileHint(err error, s secret, secretsFile string) error {
	if secretsFile == "" || !strings.HasPrefix(s.name, secretsFile+":") {
		return err
	}
	return fmt.Errorf("%w; if it is no secret, remove the line or give mask a file with only the secrets; if it is, --min-length N lowers the minimum (not below %d)", err, masker.AbsoluteMinLength)
}

// collect gathers the secrets from the flags, checking all of them before
// any input is read.
func collect(opts *Options) ([]secret, error) {
	var out []secret
	for _, name := range opts.SecretEnvs {
		v, ok := opts.LookupEnv(name)
		if !ok {
			return nil, cmdutil.BadInput("--secret-env %s: no such environment variable", name)
		}
		out = append(out, secret{name, v})
	}
	if opts.SecretsFile != "" {
		data, err := os.ReadFile(opts.SecretsFile)
		if err != nil {
			return nil, cmdutil.BadInput("cannot read secrets file: %v", err)
		}
		secrets, err := parseSecretsFile(opts.SecretsFile, data, opts.LookupEnv)
		if err != nil {
			return nil, cmdutil.AsBadInput(err)
		}
		out = append(out, secrets...)
	}
	for i, v := range opts.Secrets {
		out = append(out, secret{fmt.Sprintf("--secret #%d", i+1), v})
	}
	if len(out) == 0 {
		return nil, cmdutil.BadInput("no secrets to mask: give --secret-env NAME, --secrets-file PATH or --secret VALUE")
	}
	return out, nil
}

// copyMasked streams in through m until EOF or until ctx is cancelled
// (Ctrl-C), and then releases what m holds.
func copyMasked(ctx context.Context, m *masker.Masker, in io.Reader) error {
	if ctx == nil {
		ctx = context.Background()
	}
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, readSize)
		for {
			n, err := in.Read(buf)
			if n > 0 {
				if _, werr := m.Write(buf[:n]); werr != nil {
					done <- werr
					return
				}
			}
			if errors.Is(err, io.EOF) {
				done <- nil
				return
			}
			if err != nil {
				done <- fmt.Errorf("reading standard input: %w", err)
				return
			}
		}
	}()
	select {
	case err := <-done:
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		return err
	case <-ctx.Done():
		_ = m.Close() // what was held is released, masked; later writes fail
		return errors.New("interrupted")
	}
}
