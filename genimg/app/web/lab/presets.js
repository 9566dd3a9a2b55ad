export const PRESETS = [];
