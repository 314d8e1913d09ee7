package journal

import "fmt"

// Salvaged is a good record found after a journal's first damage.
type Salvaged struct {
	Offset int64
	Record Record
	end    int64 // offset just after the frame; 0 if not known
}

// Salvage returns the good records that follow a journal's first damage,
// with their offsets, so that an operator can see what a forced repair
// would drop (and what `journal dump` can show beyond the damage). A clean
// journal, or one with only a bad tail, has none. It changes nothing.
func Salvage(fsys FS, path string) ([]Salvaged, error) {
	buf, err := fsys.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	return SalvageImage(path, buf)
}

// salvageAfter returns the good records after damage d in buf (none when
// d is nil or a torn tail).
func salvageAfter(buf []byte, d *Damage) []Salvaged {
	if d == nil || !d.Trailing {
		return nil
	}
	return recordFrames(buf, d.Offset+1)
}
