/**
 * Channel names `<mode>_<direction>_<n>` and their physical I/O indices (reference 1.6).
 */

export type ChannelMode = "complex" | "real" | "digital";
export type ChannelDirection = "output" | "input";

export interface ParsedChannel {
  mode: ChannelMode;
  direction: ChannelDirection;
  index: number;
}

const CHANNEL_RE = /^(complex|real|digital)_(output|input)_(\d+)$/;

export function parseChannelName(name: string): ParsedChannel | null {
  const m = CHANNEL_RE.exec(name);
  if (!m) return null;
  return { mode: m[1] as ChannelMode, direction: m[2] as ChannelDirection, index: Number(m[3]) };
}

/** complex n → [2n, 2n+1]; real n → [n]; digital n → [n]. */
export function channelIoIndices(name: string): number[] {
  const c = parseChannelName(name);
  if (!c) return [];
  return c.mode === "complex" ? [2 * c.index, 2 * c.index + 1] : [c.index];
}

export function isOutputChannel(name: string): boolean {
  return parseChannelName(name)?.direction === "output";
}

export function isInputChannel(name: string): boolean {
  return parseChannelName(name)?.direction === "input";
}

export function channelMode(name: string): ChannelMode | null {
  return parseChannelName(name)?.mode ?? null;
}

/**
 * connected_output_indices / connected_input_indices of a sequencer (reference 1.6):
 * outputs come from the main channel if it is an output; inputs from the main channel if it is an
 * input, else from the single measure channel, or (0, 1) with two measure channels.
 */
export function connectedIndices(
  channelName: string,
  measureChannels: readonly string[],
): { outputs: number[]; inputs: number[] } {
  const main = channelIoIndices(channelName);
  if (isInputChannel(channelName)) return { outputs: [], inputs: main };
  let inputs: number[] = [];
  if (measureChannels.length === 1) inputs = channelIoIndices(measureChannels[0]!);
  else if (measureChannels.length >= 2) inputs = [0, 1];
  return { outputs: main, inputs };
}
