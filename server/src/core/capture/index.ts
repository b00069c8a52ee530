/* Public API of the binary-capture decoder (pure: bytes in, text and plain data out). */
export { isBinaryCapture, renderCaptureAsText, renderCaptureFrames } from './render';
export type { RenderOptions, RenderedCapture, RenderedFrame } from './render';
export { CaptureStreamReader, readCaptureContainer } from './container';
export type { CaptureContainer, CaptureReaderOptions, CaptureStreamEnd, CapturedFrame } from './container';
export { SUPPORTED_LINK_TYPES } from './link';
