/** Message types between `vmprobe explain -- CMD` and the agent it preloads (lib/explain/agent-ipc.ts). */
/** The message the parent sends to ask for a capture. */
export const AGENT_REQUEST = 'vmprobe-explain';
/** The type of the agent's reply ({ type, capture } or { type, error }). */
export const AGENT_REPLY = 'vmprobe-explain-capture';
