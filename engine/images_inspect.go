package engine

import (
	"context"
	"fmt"
	"time"
)

// Image is what an image inspect tells about one local image.
type Image struct {
	// ID is the image's id, "sha256:..." in full.
	ID string
	// RepoTags are the references that name the image ("busybox:latest").
	RepoTags []string
	// Created is when the image was built or committed; zero when the
	// engine does not say.
	Created time.Time
	// LastTagTime is when a reference was last given to the image; zero
	// for images that were only pulled.
	LastTagTime time.Time
	// Size is the image's size on disk, in bytes, its layers included.
	Size int64

	OS           string
	Architecture string
	Variant      string
	OSVersion    string

	Author  string
	Comment string
}

// InspectImage describes the local image ref names (a reference or an
// id); a missing image is an error for which IsNotFound holds.
func (c *Client) InspectImage(ctx context.Context, ref string) (Image, error) {
	res, err := c.api.ImageInspect(ctx, ref)
	if err != nil {
		return Image{}, fmt.Errorf("inspecting image %s: %w", ref, err)
	}
	r := res.InspectResponse
	return Image{
		ID:           r.ID,
		RepoTags:     r.RepoTags,
		Created:      parseTime(r.Created),
		LastTagTime:  r.Metadata.LastTagTime,
		Size:         r.Size,
		OS:           r.Os,
		Architecture: r.Architecture,
		Variant:      r.Variant,
		OSVersion:    r.OsVersion,
		Author:       r.Author,
		Comment:      r.Comment,
	}, nil
}
