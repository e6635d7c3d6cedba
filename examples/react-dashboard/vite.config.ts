import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // Without this the dev server discovers Comlink on first load, re-optimizes and reloads the page.
  optimizeDeps: { include: ['comlink'] },
});
