import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { applyTheme, resolveTheme, systemPrefersDark } from './hooks/theme.ts';
import './styles.css';

// The OS theme until the user's choice arrives, so the window never flashes the wrong colours.
applyTheme(resolveTheme('system', systemPrefersDark()));

const container = document.getElementById('root');
if (!container) throw new Error('Beacon: #root is missing from index.html');
const api = window.beacon;
createRoot(container).render(
  <StrictMode>
    {api ? (
      <App api={api} />
    ) : (
      <main className="scroll-area">
        <p role="alert" className="inline-error">
          Beacon cannot reach its background process. Quit Beacon and open it again.
        </p>
      </main>
    )}
  </StrictMode>,
);
