export { PromptServer, wavFile } from '../../examples/media-caller/prompt-server';
