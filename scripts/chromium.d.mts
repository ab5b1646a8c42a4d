export declare const SYSTEM_CHROMIUM_PATHS: readonly string[];
export declare function chromiumPath(): string | undefined;
