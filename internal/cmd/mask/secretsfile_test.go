package mask

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
)

// secretsFileEnv is the environment ${NAME} sees in the table tests.
var secretsFileEnv = map[string]string{"ENV_TOKEN": "env-token-value", "SAME": "same-in-file"}

func TestParseSecretsFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		want []secret
	}{
		{"bare lines, comments, CRLF",
			"# comment\n\nplain-secret-line\r\n  # indented comment\nnot a key=spaced value\n",
			[]secret{{"f.env:3", "plain-secret-line"}, {"f.env:5", "not a key=spaced value"}}},
		{"bare line trimmed", "\thunter2hunter2 \u00a0\n", []secret{{"f.env:1", "hunter2hunter2"}}},
		{"bare user:password", "admin:hunter2hunter2\n", []secret{{"f.env:1", "admin:hunter2hunter2"}}},
		{"bare quoted keeps its blanks", `" hunter2 # not a comment "`, []secret{{"f.env:1", " hunter2 # not a comment "}}},
		{"KEY=VALUE", "KEY=value=with=equals", []secret{{"f.env:1 (KEY)", "value=with=equals"}}},
		{"value starting with =", "KEY==hunter2", []secret{{"f.env:1 (KEY)", "=hunter2"}}},
		{"export", "export DB_PASSWORD=hunter2hunter2", []secret{{"f.env:1 (DB_PASSWORD)", "hunter2hunter2"}}},
		{"blanks around =", "DB_PASSWORD = hunter2hunter2\nB\t=\thunter3hunter3", []secret{{"f.env:1 (DB_PASSWORD)", "hunter2hunter2"}, {"f.env:2 (B)", "hunter3hunter3"}}},
		{"export and blanks", "  export\tDB_PASSWORD =  hunter2hunter2", []secret{{"f.env:1 (DB_PASSWORD)", "hunter2hunter2"}}},
		{"a key named export", "export=hunter2hunter2", []secret{{"f.env:1 (export)", "hunter2hunter2"}}},
		{"trailing blanks", "A=hunter2hunter2   \nB=hunter3hunter3\t\r\nC=hunter4hunter4\u00a0", []secret{{"f.env:1 (A)", "hunter2hunter2"}, {"f.env:2 (B)", "hunter3hunter3"}, {"f.env:3 (C)", "hunter4hunter4"}}},
		{"BOM", "\ufeffDB_PASSWORD=hunter2hunter2\n", []secret{{"f.env:1 (DB_PASSWORD)", "hunter2hunter2"}}},
		{"inline comment", "A=hunter2hunter2 # prod\nB=hunter3\t#x", []secret{{"f.env:1 (A)", "hunter2hunter2"}, {"f.env:2 (B)", "hunter3"}}},
		{"# without a blank is part of the value", "A=hunter2#2\nB=#hunter3", []secret{{"f.env:1 (A)", "hunter2#2"}, {"f.env:2 (B)", "#hunter3"}}},
		{"quoted and a comment", `A="hunter2hunter2" # prod` + "\nB='hunter3hunter3'#x\nC=\"hunter4\"  ", []secret{{"f.env:1 (A)", "hunter2hunter2"}, {"f.env:2 (B)", "hunter3hunter3"}, {"f.env:3 (C)", "hunter4"}}},
		{"quotes keep blanks and #", `A=" two words # and more "`, []secret{{"f.env:1 (A)", " two words # and more "}}},
		{"double-quote escapes", `A="l1\nl2\t\"q\" \\ '"`, []secret{{"f.env:1 (A)", "l1\nl2\t\"q\" \\ '"}}},
		{"unknown escape kept", `A="C:\dir\x"`, []secret{{"f.env:1 (A)", `C:\dir\x`}}},
		{"single quotes are literal", `A='l1\nl2 ${HOME} "x" \d'`, []secret{{"f.env:1 (A)", `l1\nl2 ${HOME} "x" \d`}}},
		{"$ in single quotes is literal", `A='pa$$word$x'`, []secret{{"f.env:1 (A)", "pa$$word$x"}}},
		{"backticks are literal", "A=`l1\\n 'q' \"d\"#x`  # c\nB=`-----BEGIN-----\nAbCd==\n-----END-----`",
			[]secret{{"f.env:1 (A)", `l1\n 'q' "d"#x`}, {"f.env:2 (B)", "-----BEGIN-----\nAbCd==\n-----END-----"}}},
		{"${NAME} from earlier in the file", "DB_PASSWORD=hunter2hunter2\nURL=postgres://app:${DB_PASSWORD}@db/app\nQ=\"x${DB_PASSWORD}\\n\"",
			[]secret{{"f.env:1 (DB_PASSWORD)", "hunter2hunter2"}, {"f.env:2 (URL)", "postgres://app:hunter2hunter2@db/app"}, {"f.env:3 (Q)", "xhunter2hunter2\n"}}},
		{"${NAME} from the environment", "URL=https://u:${ENV_TOKEN}@h\nSAME=${SAME}x", []secret{{"f.env:1 (URL)", "https://u:env-token-value@h"}, {"f.env:2 (SAME)", "same-in-filex"}}},
		{"${NAME} set in the file and, to the same value, in the environment", "SAME=same-in-file\nB=${SAME}", []secret{{"f.env:1 (SAME)", "same-in-file"}, {"f.env:2 (B)", "same-in-file"}}},
		{"empty values are no secrets", "A=\nB=\"\"\nC=''\nD=``\nE=${A}\ndb.host=  \t\nF=hunter2hunter2", []secret{{"f.env:7 (F)", "hunter2hunter2"}}},
		{"export NAME sets nothing", "export PATH\n export  HOME # c\nF=hunter2hunter2", []secret{{"f.env:3 (F)", "hunter2hunter2"}}},
		{"Laravel", "APP_NAME=Laravel\nAPP_KEY=base64:hunter2hunter2=\nDB_PASSWORD=\nVITE_APP_NAME=\"${APP_NAME}\"",
			[]secret{{"f.env:1 (APP_NAME)", "Laravel"}, {"f.env:2 (APP_KEY)", "base64:hunter2hunter2="}, {"f.env:4 (VITE_APP_NAME)", "Laravel"}}},
		{"quote inside an unquoted value", `A=it's"quoted"`, []secret{{"f.env:1 (A)", `it's"quoted"`}}},
		{"Java-style keys", "db.password=hunter2hunter2\nmy-key=hunter3hunter3", []secret{{"f.env:1 (db.password)", "hunter2hunter2"}, {"f.env:2 (my-key)", "hunter3hunter3"}}},
		{"multi-line value", "A=1\nPEM=\"-----BEGIN KEY-----\r\nMIIBOgIBAAJBAKj34GkxFhD9\r\n# inside, not a comment\r\nAbCd==\r\n-----END KEY-----\" # c\r\nB=2",
			[]secret{{"f.env:1 (A)", "1"}, {"f.env:2 (PEM)", "-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n# inside, not a comment\nAbCd==\n-----END KEY-----"}, {"f.env:7 (B)", "2"}}},
		{"multi-line single-quoted", "A='l1\nl2'", []secret{{"f.env:1 (A)", "l1\nl2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseSecretsFile("f.env", []byte(tt.data), fakeEnv(secretsFileEnv))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(secret{})); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestParseSecretsFileRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data, want string
	}{
		{"YAML", "# c\nDB_PASSWORD: hunter2hunter2", "f.env:2:1: " + msgYAML},
		{"YAML key alone", "  DB_PASSWORD:", "f.env:1:3: " + msgYAML},
		{"YAML list item", "- DB_PASSWORD=hunter2hunter2", "f.env:1:1: " + msgYAML},
		{"export without =", "export hunter2 hunter2", "f.env:1:8: " + msgExport},
		{"setenv", "setenv PW hunter2hunter2", "f.env:1:1: " + msgSetenv},
		{"key starting with a digit", "A=1\n 1PW=hunter2hunter2", "f.env:2:2: " + msgBadKey},
		{"key starting with -", "-PW =hunter2hunter2", "f.env:1:1: " + msgBadKey},
		{"export and a key starting with a digit", "export 1PW=hunter2hunter2", "f.env:1:8: " + msgExport},
		{"export alone", "export  \n", "f.env:1:9: " + msgExport},
		{"UTF-16", "\xff\xfeK\x00=\x00", "f.env:1:1: " + msgUTF16},
		{"NUL", "A=1\nK=hunter2\x00hunter2", "f.env:2:10: " + msgNUL},
		{"unterminated", "\ufeffK=\"hunter2hunter2\n", "f.env:1:3: " + msgUnterminated},
		{"unterminated single", "A=1\r\nK = 'hunter2hunter2", "f.env:2:5: " + msgUnterminated},
		{"runs on into KEY=VALUE", "K=\"hunter2hunter2\nB=hunter3hunter3\"", "f.env:1:3: " + msgRunsOn},
		{"runs on into export", "K='hunter2hunter2\n  export B = x'", "f.env:1:3: " + msgRunsOn},
		{"text after the closing quote", `K="hunter2" hunter2`, "f.env:1:13: " + msgAfterQuote},
		{"quote closed early", `K='hunter2'hunter2'`, "f.env:1:12: " + msgAfterQuote},
		{"JSON", `"DB_PASSWORD": "hunter2hunter2",`, "f.env:1:14: " + msgAfterQuote},
		{"backslash-quote in single quotes", `K='hunter2\'hunter2'`, "f.env:1:11: " + msgSingleEscape},
		{"double backslash in single quotes", `K='hunter2\\hunter2'`, "f.env:1:11: " + msgSingleEscape},
		{"undefined ${NAME}", "K=hunter2${SUFFIX}", "f.env:1:10: ${SUFFIX} is set neither earlier in this file nor in the environment"},
		{"undefined ${NAME} in double quotes", `K="hunter2${SUFFIX}"`, "f.env:1:11: ${SUFFIX} is set neither earlier in this file nor in the environment"},
		{"${NAME} set later", "K=${L}hunter2\nL=hunter2hunter2", "f.env:1:3: ${L} is set neither earlier in this file nor in the environment"},
		{"${NAME} set twice to different values", "ENV_TOKEN=hunter2hunter2\nK=${ENV_TOKEN}", "f.env:2:3: ${ENV_TOKEN} is set earlier in this file and in the environment, to different values: tools differ on which one they use"},
		{"${NAME:-default}", "A=x\nK=${A:-hunter2}", "f.env:2:3: " + msgInterpolation},
		{"${ unclosed", `K="hunter2${A"`, "f.env:1:11: " + msgInterpolation},
		{"$NAME", "K=Xy7$kL9pQ2zz", "f.env:1:6: " + msgDollar},
		{"$$", `K="pa$$hunter2"`, "f.env:1:6: " + msgDollar},
		{"$ at the end", "K=hunter2$", "f.env:1:10: " + msgDollar},
		{"backslash-dollar in double quotes", `PW="hunter2\$hunter2"`, "f.env:1:12: " + msgDollarEscape},
		{"backslash-quote in double quotes", `PW="it\'s-hunter2"`, "f.env:1:7: " + msgQuoteEscape},
		{"backslash-newline in double quotes", "PW=\"hunter2\\\r\nhunter2\"", "f.env:1:12: " + msgContinuation},
		{"$ in backticks", "PW=`hunter2$x`", "f.env:1:12: " + msgBacktickEscape},
		{"backslash-backtick in backticks", "PW=`hunter2\\`x`", "f.env:1:12: " + msgBacktickEscape},
		{"comment in backticks", "PW=`hunter2 #x`", "f.env:1:13: " + msgBacktickEscape},
		{"no value, mixed-case key", "Kx=", "f.env:1:4: " + msgNoValue},
		{"only blanks, mixed-case key", "Kx =  \t", "f.env:1:8: " + msgNoValue},
		{"bare base64 cut at its padding", "aHVudGVyMmh1bnRlcjI=", "f.env:1:21: " + msgNoValue},
		{"bare base64 with two =", "aHVudGVyMmh1bnQ==", "f.env:1:17: " + msgNoValue},
		{"blank then # after =", "K= #hunter2hunter2", "f.env:1:4: " + msgHashValue},
		{"comment after a bare secret", "hunter2hunter2 # prod", "f.env:1:16: " + msgBareComment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseSecretsFile("f.env", []byte(tt.data), fakeEnv(secretsFileEnv))
			var syntaxErr *syntaxError
			if !errors.As(err, &syntaxErr) || err.Error() != tt.want {
				t.Fatalf("parse = %v, %v; want error %q", got, err, tt.want)
			}
			for _, part := range []string{"hunter", "aHVud"} {
				if strings.Contains(err.Error(), part) {
					t.Errorf("message %q shows the secret", err)
				}
			}
		})
	}
}

// TestRunSecretsFileSpellings: each .env spelling a reviewer found
// leaking either masks the secret or stops mask with exit 2.
func TestRunSecretsFileSpellings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file string
		wantErr    string // "" if the secret is masked
	}{
		{"export", "export DB_PASSWORD=hunter2hunter2\n", ""},
		{"blanks around =", "DB_PASSWORD = hunter2hunter2\n", ""},
		{"trailing blanks", "DB_PASSWORD=hunter2hunter2   \n", ""},
		{"trailing tab", "DB_PASSWORD=hunter2hunter2\t\r\n", ""},
		{"BOM", "\ufeffDB_PASSWORD=hunter2hunter2\n", ""},
		{"quoted with a comment", "DB_PASSWORD=\"hunter2hunter2\" # prod\n", ""},
		{"bare with a trailing blank", "hunter2hunter2 \n", ""},
		{"YAML", "DB_PASSWORD: hunter2hunter2\n", ":1:1: " + msgYAML},
		{"backticks", "API_KEY=`hunter2hunter2`\n", ""},
		{"empty values and export NAME", "SENTRY_DSN=\nexport PATH\nA=hunter2hunter2\n", ""},
		{"${NAME} of an empty variable", "EMPTY=\nPW=hunter2${EMPTY}hunter2\n", ""},
		{"backslash-dollar in double quotes", `PW="hunter2\$hunter2"` + "\n", ":1:12: " + msgDollarEscape},
		{"backslash-quote in double quotes", `PW="it\'s-hunter2hunter2"` + "\n", ":1:7: " + msgQuoteEscape},
		{"backslash-newline in double quotes", "PW=\"hunter2\\\nhunter2\"\n", ":1:12: " + msgContinuation},
		{"$NAME", "PW=Xy7$kL9pQ2zz\n", ":1:7: " + msgDollar},
		{"key starting with a digit", "1PW=hunter2hunter2\n", ":1:1: " + msgBadKey},
		{"setenv", "setenv PW hunter2hunter2\n", ":1:1: " + msgSetenv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "secrets.env")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			ios, in, out, _ := iostreams.Test()
			in.WriteString("pw is hunter2hunter2\n")
			err := run(&Options{IO: ios, LookupEnv: fakeEnv(nil), SecretsFile: path, MinLength: 8})
			if tt.wantErr == "" {
				if err != nil || out.String() != "pw is [MASKED]\n" {
					t.Fatalf("run = %v, output %q; want %q", err, out, "pw is [MASKED]\n")
				}
				return
			}
			if cmdutil.ExitCode(err) != cmdutil.ExitBadInput || err.Error() != path+tt.wantErr || out.Len() > 0 {
				t.Fatalf("run = %v (exit %d), output %q; want exit 2, %q and no output", err, cmdutil.ExitCode(err), out, path+tt.wantErr)
			}
		})
	}
}
