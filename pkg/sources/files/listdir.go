package files

import "io/fs"

// dirEntry is one name in a folder, with what the walker needs of a file
// that is neither a folder nor a symbolic link: its mode and size, read
// when the folder was listed.
type dirEntry struct {
	name    string
	typ     fs.FileMode // type bits, from the listing
	mode    fs.FileMode // from lstat, for files only
	size    int64       // from lstat, for files only
	statErr error       // lstat's error, for files only
}

func (e dirEntry) IsDir() bool { return e.typ.IsDir() }

// needsStat says whether the walker reads an entry's mode and size.
func (e dirEntry) needsStat() bool { return e.typ&(fs.ModeDir|fs.ModeSymlink) == 0 }
