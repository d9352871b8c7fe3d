// The npm packages' own files have no types.
declare module '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js' {
  const create: () => unknown;
  export default create;
}
