// Types of the stand-in: exactly those of the module it loads.
export * from '../post-backstop';
