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
  return new BrandDirectory(brands).match(host);
}

/**
 * A brand list prepared to match many hosts: the domains are lower-cased once, not once per
 * host (a request's Host header is the client's to choose, so every request can bring a new one).
 */
export class BrandDirectory {
  private readonly domains: string[];
  private readonly fallback: ListedBrand | undefined;

  constructor(private readonly brands: readonly ListedBrand[]) {
    this.domains = brands.map((brand) => brand.domain.toLowerCase());
    this.fallback = brands.find((brand) => brand.default);
  }

  match(host: string): ListedBrand | undefined {
    const hostname = host.toLowerCase();
    let best = -1;
    for (let i = 0; i < this.domains.length; i++) {
      const domain = this.domains[i] as string;
      if (
        domain !== '' &&
        domain.length <= hostname.length &&
        (best === -1 || domain.length > (this.domains[best] as string).length) &&
        hostname.endsWith(domain)
      )
        best = i;
    }
    return best === -1 ? this.fallback : this.brands[best];
  }
}
