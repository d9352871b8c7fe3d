import { defineConfig } from 'vite';

// The server serves dist/ itself: index.html for / and /r/{id}, hashed files under /assets/.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0, // the CSP allows no inline data for scripts and styles
    sourcemap: false,
  },
});
