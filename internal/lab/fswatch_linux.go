//go:build linux

package lab

import (
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// openWatch tells when a program opens a watched file (inotify IN_OPEN),
// for the file-vanish faults that strike the first time a file is opened.
type openWatch struct {
	f      *os.File
	onOpen func(id string)

	mu   sync.Mutex
	byWD map[int32]string // guarded by mu
	byID map[string]int32 // guarded by mu
}

// newOpenWatch starts watching; nil when inotify is not available (the
// vanish faults then need a delay).
func newOpenWatch(onOpen func(id string)) *openWatch {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil
	}
	// Non-blocking, so the runtime's poller reads it and Close ends the
	// reading goroutine.
	w := &openWatch{f: os.NewFile(uintptr(fd), "inotify"), onOpen: onOpen,
		byWD: map[int32]string{}, byID: map[string]int32{}}
	go w.loop()
	return w
}

// sync watches the files of the vanish faults that wait for an open.
func (w *openWatch) sync(states []fileFaultState) {
	if w == nil {
		return
	}
	want := map[string]string{}
	for _, st := range states {
		if st.Kind == FaultFileVanish && st.Delay == 0 && !st.Done {
			want[st.ID] = st.Local
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, wd := range w.byID {
		if _, ok := want[id]; !ok {
			unix.InotifyRmWatch(int(w.f.Fd()), uint32(wd))
			delete(w.byID, id)
			delete(w.byWD, wd)
		}
	}
	for id, path := range want {
		if _, ok := w.byID[id]; ok {
			continue
		}
		wd, err := unix.InotifyAddWatch(int(w.f.Fd()), path, unix.IN_OPEN|unix.IN_ONESHOT)
		if err == nil {
			w.byID[id], w.byWD[int32(wd)] = int32(wd), id
		}
	}
}

func (w *openWatch) loop() {
	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if ev.Mask&unix.IN_OPEN == 0 {
				continue
			}
			w.mu.Lock()
			id, ok := w.byWD[ev.Wd]
			w.mu.Unlock()
			if ok {
				w.onOpen(id)
			}
		}
	}
}

// close stops watching.
func (w *openWatch) close() {
	if w != nil {
		w.f.Close()
	}
}
