package web

import (
	"net/http"
	"sync"
)

// uploadSlots counts the message forms being read, so that uploads cannot
// take more than max×MaxUpload of memory, and so that one user cannot take
// every slot: max in all, perUser for each user. A slot is taken only once
// the form's token has been opened, so a form without a login takes none.
type uploadSlots struct {
	max, perUser int

	mu    sync.Mutex
	total int
	users map[string]int
}

func newUploadSlots(max, perUser int) *uploadSlots {
	return &uploadSlots{max: max, perUser: perUser, users: map[string]int{}}
}

// Answers to a form that finds no slot free. Both say to try again: the
// browser's Back button brings the form back as it was.
var (
	errUploadsBusy = &userError{status: http.StatusServiceUnavailable, title: "Busy",
		msg: "Many messages are being sent through this site right now, so yours was not sent. Go back to it and press Send again in a few seconds."}
	errUserUploadsBusy = &userError{status: http.StatusTooManyRequests, title: "Other messages on their way",
		msg: "Other messages of yours are still being sent, so this one was not sent. Go back to it and press Send again once they have gone."}
)

// take takes a slot for user; release gives it back. With none free, err
// is errUploadsBusy or errUserUploadsBusy.
func (u *uploadSlots) take(user string) (release func(), err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case u.users[user] >= u.perUser:
		return nil, errUserUploadsBusy
	case u.total >= u.max:
		return nil, errUploadsBusy
	}
	u.total++
	u.users[user]++
	var once sync.Once
	return func() { once.Do(func() { u.give(user) }) }, nil
}

func (u *uploadSlots) give(user string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.total--
	if u.users[user]--; u.users[user] == 0 {
		delete(u.users, user)
	}
}
