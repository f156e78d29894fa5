package report

import (
	"fmt"

	"github.com/sprawl-sec/sprawl/pkg/sources"
)

// imagePlace says where in an image a finding is: a layer, or the config
// (LayerIndex -1: Env, Labels, Cmd, a history step that made no layer).
func imagePlace(im *sources.ImageOrigin) string {
	if im.LayerIndex < 0 {
		return "image config"
	}
	return fmt.Sprintf("layer %d", im.LayerIndex)
}

// imageDeleted says that a later layer removed the file, which does not
// remove it from the image; empty when the file is in the final filesystem.
func imageDeleted(im *sources.ImageOrigin) string {
	switch {
	case !im.Deleted:
		return ""
	case im.DeletedIn > 0 && im.Replaced:
		return fmt.Sprintf("overwritten in layer %d, still in the image", im.DeletedIn)
	case im.DeletedIn > 0:
		return fmt.Sprintf("deleted in layer %d, still in the image", im.DeletedIn)
	}
	return "deleted in a later layer"
}
