import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// MediaPipe's selfie segmentation loads its model and WebAssembly by name at run time:
// they are copied from its npm package to dist/vendor/mediapipe, served by Parley itself.
function vendorMediaPipe(): Plugin {
  return {
    name: 'parley-vendor-mediapipe',
    apply: 'build',
    writeBundle(options) {
      const from = path.resolve('node_modules/@mediapipe/selfie_segmentation');
      const to = path.join(options.dir ?? 'dist', 'vendor/mediapipe');
      mkdirSync(to, { recursive: true });
      for (const file of readdirSync(from)) {
        if (/\.(js|wasm|tflite|binarypb|data)$/.test(file)) cpSync(path.join(from, file), path.join(to, file));
      }
    },
  };
}

// The server serves dist/ itself: index.html for / and /r/{id}, hashed files under /assets/.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0, // the CSP allows no inline data for scripts and styles
    sourcemap: false,
  },
  // The noise-suppression worklet is an ES module of its own.
  worker: { format: 'es' },
  plugins: [vendorMediaPipe()],
});
