// The numbers the page and the server share: request limits, slider ranges and display sizes. The browser's one
// copy of genimg/app/limits.py (tests/test_limits.py holds the two together). Nothing else defines them.

export const MAX_IMAGES = 64; // images per request or gallery, anywhere in the app
export const PSI_RANGE = [0, 2];
export const Z_LIMIT = 3; // sliders, traversals and the latent map span [-3, 3] (the prior's +-3 std)
export const FRAMES_RANGE = [2, 60];
export const MAP_STEPS = 10; // the latent map and the pad: MAP_STEPS x MAP_STEPS over [-Z_LIMIT, Z_LIMIT]^2
export const TRAVERSE_STEPS = 7;

// Display sizes in CSS pixels: images are upscaled crisply to the largest whole multiple <= this.
export const GALLERY_SIDE = 128; // a gallery picture
export const PICTURE_SIDE = 256; // the VAE picture, the encode tab's pictures, the direction editor, inversion
export const GIF_SIDE = 256; // interpolation GIF frames
