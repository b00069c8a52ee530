/* Public API of the binary-capture decoder (pure: bytes in, text and plain data out). */
export {
  FrameRenderer,
  MAX_TCP_CONVERSATIONS,
  isBinaryCapture,
  renderCaptureAsText,
  renderCaptureFrames,
} from './render';
export type { FrameRendererOptions, RenderOptions, RenderedCapture, RenderedFrame } from './render';
export { CaptureStreamReader, readCaptureContainer } from './container';
export type { CaptureContainer, CaptureReaderOptions, CaptureStreamEnd, CapturedFrame } from './container';
export { CaptureTextStream, FrameLineIndex } from './textStream';
export type { CaptureTextOptions } from './textStream';
export { SUPPORTED_LINK_TYPES } from './link';
