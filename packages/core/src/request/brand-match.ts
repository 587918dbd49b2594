import type { AuthentikBrand } from '../types.js';

/** A brand as authentik's `GET /api/v3/core/brands/` lists it (the fields matching needs). */
export interface ListedBrand {
  brand_uuid: string;
  domain: string;
  default: boolean;
}

/** authentik's own event shape for a brand: `name` is the model's `str()` ("Default brand" / "Brand <domain>"). */
export function brandForEvent(brand: ListedBrand): AuthentikBrand {
  return {
    pk: brand.brand_uuid.replaceAll('-', ''),
    app: 'authentik_brands',
    model_name: 'brand',
    name: brand.default ? 'Default brand' : `Brand ${brand.domain}`,
  };
}

/** When the brands cannot be read: a brand named after the host, without a pk. */
export function brandFromHost(host: string): AuthentikBrand {
  return { app: 'authentik_brands', model_name: 'brand', name: `Brand ${host}` };
}

/**
 * Picks the brand authentik would pick for a host (authentik/brands/utils.py): the brand whose
 * domain is the longest case-insensitive suffix of the host, else the default brand.
 */
export function matchBrand(brands: readonly ListedBrand[], host: string): ListedBrand | undefined {
  const hostname = host.toLowerCase();
  let best: ListedBrand | undefined;
  for (const brand of brands) {
    const domain = brand.domain.toLowerCase();
    if (domain !== '' && hostname.endsWith(domain) && (!best || domain.length > best.domain.length))
      best = brand;
  }
  return best ?? brands.find((brand) => brand.default);
}
