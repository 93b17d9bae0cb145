package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strings"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/record"
	"gomailcgi/internal/seal"
)

// errFieldTooLong: one text field of the form is longer than allowed.
var errFieldTooLong = errors.New("form field too long")

// errTooManyFields: the form has more parts than maxFormParts.
var errTooManyFields = errors.New("too many form fields")

// errNoToken: the form does not begin with a token, as the compose page's
// form does.
var errNoToken = errors.New("form does not begin with a token")

// errCutShort: the form ended before it was whole, or could not be read
// as multipart past its token.
var errCutShort = errors.New("form cut short")

// errNotMultipart: the body is not a multipart form.
var errNotMultipart = errors.New("form is not multipart/form-data")

// maxFormParts bounds the parts of a compose form: its dozen fields, the
// forwarded parts ticked and the files chosen.
const maxFormParts = 1000

// maxFormHead bounds what is read of a form before its token is known:
// the first part's header, the token and the multipart reader's read-ahead.
const maxFormHead = 16 << 10

// composeReader reads a compose form as it is posted: multipart, the token
// first, then the text fields, then the files. Files are held in memory,
// never written to disk. The body is read only as far as it is allowed:
// at first to the token, then as far as the caller allows once it knows
// whose form it is.
type composeReader struct {
	mr    *multipart.Reader
	body  *allowance
	token string
	rec   *record.Recorder // names and sizes of the fields read, for the explain panel
}

// openComposeForm reads the form's first part, which must be the token
// "t", and nothing more of the body.
func openComposeForm(r *http.Request) (*composeReader, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return nil, errNotMultipart
	}
	body := &allowance{r: r.Body, left: maxFormHead, over: errNoToken}
	mr := multipart.NewReader(body, params["boundary"])
	part, err := mr.NextPart()
	if err == io.EOF {
		return nil, errNoToken
	}
	if err != nil {
		return nil, err
	}
	if part.FormName() != paramToken || part.FileName() != "" {
		return nil, errNoToken
	}
	tok, err := io.ReadAll(io.LimitReader(part, seal.MaxTokenLen+1))
	if err != nil {
		return nil, err
	}
	if len(tok) > seal.MaxTokenLen {
		return nil, errNoToken
	}
	rec := record.From(r.Context())
	rec.Field(paramToken, int64(len(tok)), false)
	return &composeReader{mr: mr, body: body, token: string(tok), rec: rec}, nil
}

// allow lets n more bytes of the body be read; past them a read fails
// with an *http.MaxBytesError.
func (cr *composeReader) allow(n int64) {
	cr.body.left, cr.body.over = n, &http.MaxBytesError{Limit: n}
}

// read reads the rest of the form. With textOnly, reading stops at the
// first file: the text fields come before the files in the form. On error
// the form holds every field read before the problem.
func (cr *composeReader) read(textOnly bool) (composeForm, error) {
	values := url.Values{paramToken: {cr.token}}
	var files []upload
	hadFiles := false
	var textBytes int64
	for parts := 1; ; parts++ {
		part, err := cr.mr.NextPart()
		if err == io.EOF {
			break
		}
		if err == nil && parts == maxFormParts {
			err = errTooManyFields
		}
		if err != nil {
			f := composeFromValues(values)
			f.Files, f.HadFiles = files, true
			return f, err
		}
		name := part.FormName()
		if part.FileName() == "" && name != "attach" {
			limit := int64(maxShortField)
			if name == "body" {
				limit = maxBodyField
			}
			data, err := io.ReadAll(io.LimitReader(part, limit+1))
			cr.rec.Field(name, int64(len(data)), false)
			textBytes += int64(len(data))
			if err == nil && (int64(len(data)) > limit || textBytes > maxFormText) {
				err = errFieldTooLong
			}
			if err != nil {
				f := composeFromValues(values)
				f.Files, f.HadFiles = files, hadFiles
				return f, err
			}
			if name != paramToken {
				values.Add(name, string(data))
			}
			continue
		}
		if name != "attach" {
			continue
		}
		if textOnly {
			f := composeFromValues(values)
			f.HadFiles = true
			return f, nil
		}
		data, err := io.ReadAll(part)
		cr.rec.Field(name, int64(len(data)), true)
		if err != nil {
			f := composeFromValues(values)
			f.Files, f.HadFiles = files, true
			return f, err
		}
		filename := uploadName(part.FileName())
		if filename == "" && len(data) == 0 {
			continue // the file input was left empty
		}
		hadFiles = true
		files = append(files, upload{
			Filename:    filename,
			ContentType: part.Header.Get("Content-Type"),
			Data:        data,
		})
	}
	f := composeFromValues(values)
	f.Files, f.HadFiles = files, hadFiles
	return f, nil
}

// allowance reads a body only as far as it is allowed: past left bytes a
// read fails with over.
type allowance struct {
	r    io.Reader
	left int64
	over error
}

func (a *allowance) Read(b []byte) (int, error) {
	if a.left <= 0 {
		return 0, a.over
	}
	if int64(len(b)) > a.left {
		b = b[:a.left]
	}
	n, err := a.r.Read(b)
	a.left -= int64(n)
	return n, err
}

// uploadName keeps only the last element of a file name: some browsers
// send a whole path.
func uploadName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(strings.Map(func(r rune) rune {
		if mailmsg.IsBidiControl(r) {
			return -1
		}
		return r
	}, name))
	if name == "." || name == "/" {
		return ""
	}
	return name
}
