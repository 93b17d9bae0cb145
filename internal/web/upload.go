package web

import (
	"errors"
	"gomailcgi/internal/mailmsg"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// errFieldTooLong: one text field of the form is longer than allowed.
var errFieldTooLong = errors.New("form field too long")

// errTooManyFields: the form has more parts than maxFormParts.
var errTooManyFields = errors.New("too many form fields")

// maxFormParts bounds the parts of a compose form: its dozen fields, the
// forwarded parts ticked and the files chosen.
const maxFormParts = 1000

// parseComposeForm reads the compose form as it is posted: multipart with
// files, or urlencoded. Files are held in memory, never written to disk; the
// whole body is bounded by MaxUpload (the caller wraps r.Body). The token is
// the form's first field: loggedIn is asked about it as soon as it is read,
// and the files of a form whose login does not hold are read past, never
// kept, so only a logged-in user's uploads take memory. With textOnly,
// reading stops at the first file: the text fields come before the files
// in the form. On error the form holds every field read before the problem.
func parseComposeForm(r *http.Request, loggedIn func(token string) bool, textOnly bool) (composeForm, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return composeForm{}, err
		}
		return composeFromValues(r.PostForm), nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return composeForm{}, err
	}
	values := url.Values{}
	var files []upload
	hadFiles, keepFiles := false, false
	var textBytes int64
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
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
			textBytes += int64(len(data))
			if err == nil && (int64(len(data)) > limit || textBytes > maxFormText) {
				err = errFieldTooLong
			}
			if err != nil {
				f := composeFromValues(values)
				f.Files, f.HadFiles = files, hadFiles
				return f, err
			}
			values.Add(name, string(data))
			if name == "t" && len(values["t"]) == 1 {
				keepFiles = loggedIn(values.Get("t"))
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
		if !keepFiles {
			hadFiles = true
			if _, err := io.Copy(io.Discard, part); err != nil {
				f := composeFromValues(values)
				f.HadFiles = true
				return f, err
			}
			continue
		}
		data, err := io.ReadAll(part)
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
