// The lab's lessons: one click loads a preset's settings (on top of the defaults, seed 0) and starts it.
// The words for each (title, what to look at, which How-it-works section it belongs to) are locale keys
// lab_preset_<id>_title / lab_preset_<id>_md in genimg/app/locales/{en,zh}.json. What each shows was
// measured at seed 0 (README, "Training lab").

export const PRESETS = [
  // The baseline: G's points spread onto the ring; klGrid falls below 0.3 in ~1,500 steps.
  { id: "ring", kind: "gan", options: { data: "ring" } },
  // G learns 10x faster than D: its points move as one swarm from mode to mode and never cover the nine.
  { id: "mode_collapse", kind: "gan", options: { data: "grid", lrG: 0.5, lrD: 0.05 } },
  // D trained 10 steps per G step with the minimax loss: where D is sure a point is fake, log(1 - D) is
  // flat and G's arrows are short; switching to the non-saturating loss makes them long.
  { id: "vanishing", kind: "gan", options: { data: "ring", loss: "minimax", dSteps: 10 } },
  // D far ahead (lr 0.3, 5 steps per G step): D's loss goes to 0, G's gradient explodes, the run blows up.
  { id: "d_strong", kind: "gan", options: { data: "ring", lrD: 0.3, dSteps: 5 } },
  // D barely learns (lr 0.005): its map stays flat, G gets no direction, klGrid stays where it started.
  { id: "d_weak", kind: "gan", options: { data: "ring", lrD: 0.005 } },
  // The VAE at beta = 1: held-out digits sort themselves by class in the 2-D latent.
  { id: "vae", kind: "vae", options: { beta: 1 } },
  // beta = 30: the KL term wins, every code is pulled to the prior's centre, the decoded grid is one blur
  // (seed 0, 3 epochs: KL 0.4 nats and codes' rms 0.6, against 10.1 nats and 3.1 at beta = 1).
  { id: "posterior_collapse", kind: "vae", options: { beta: 30 } },
];
