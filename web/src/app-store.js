// The playground's one store (see store.js).
import { createStore, initialState, reducer } from './store.js';

export const store = createStore(reducer, initialState);
