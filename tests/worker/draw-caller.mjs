// A site's own Worker calling edgepix the way it would call Cloudflare Images from a Worker:
// `fetch(imageURL, { cf: { image } })`, here on a service binding. POST /call with
// {via, source, image}: `via` "bound" uses the binding to edgepix's `Bound` entrypoint,
// "default" the binding to its default entrypoint (the one public traffic reaches).
export default {
  async fetch(request, env) {
    if (request.method !== 'POST') return new Response('draw caller');
    const { via, source, image } = await request.json();
    const target = via === 'default' ? env.EDGEPIX_DEFAULT : env.EDGEPIX;
    const init = image === undefined ? {} : { cf: { image } };
    return target.fetch(source, init);
  },
};
