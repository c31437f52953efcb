/**
 * Speech or silence, decided per 20 ms frame (160 samples at 8 kHz) by its
 * energy: a frame whose RMS level is above SPEECH_THRESHOLD_DBFS is speech.
 * -40 dBFS sits between telephone speech (about -30 to -15 dBFS on a G.711
 * line) and the noise floor of a quiet line (below -50 dBFS); G.711's own
 * silence decodes to 0 (no energy at all).
 */
export const SPEECH_THRESHOLD_DBFS = -40;
export const FRAME_SAMPLES = 160;

/** The RMS level of 16-bit samples, in dB relative to full scale (-Infinity for digital silence). */
export function levelDbfs(samples: Int16Array): number {
  if (samples.length === 0) return -Infinity;
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / samples.length);
  return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
}

export function isSpeech(samples: Int16Array): boolean {
  return levelDbfs(samples) > SPEECH_THRESHOLD_DBFS;
}

/** How much of a recording is speech, in ms: its 20 ms frames above the threshold. */
export function voicedMs(samples: Int16Array, sampleRate = 8000): number {
  const frame = Math.round((sampleRate * 20) / 1000);
  let voiced = 0;
  for (let at = 0; at + frame <= samples.length; at += frame) {
    if (isSpeech(samples.subarray(at, at + frame))) voiced += 20;
  }
  return voiced;
}
